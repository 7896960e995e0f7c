"""TurboGears' smallest JSON app: the minimal configurator and one exposed controller method."""

from tg import MinimalApplicationConfigurator, TGController, expose


class Root(TGController):
    @expose("json")
    def index(self):
        return {"ok": True}


configurator = MinimalApplicationConfigurator()
configurator.update_blueprint({"root_controller": Root(), "renderers": ["json"], "default_renderer": "json"})
app = configurator.make_wsgi_app()
