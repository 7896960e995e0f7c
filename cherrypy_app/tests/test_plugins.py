"""The engine plugin on a bus of its own: the engine's life follows the bus's."""

from cherrypy.process import wspbus
from sqlalchemy import text

from tracker.plugins import SQLAlchemyPlugin


# region: tests
def test_units_of_work_are_handed_out_between_start_and_stop(tmp_path):
    bus = wspbus.Bus()
    plugin = SQLAlchemyPlugin(bus, f"sqlite:///{tmp_path / 'tasks.db'}")
    plugin.subscribe()
    bus.start()
    (unit_of_work,) = bus.publish("unit-of-work")
    assert unit_of_work.session.execute(text("SELECT 1")).scalar() == 1
    unit_of_work.close()
    bus.exit()
    assert plugin.engine is None
    assert bus.publish("unit-of-work") == []


def test_the_engine_starts_without_reaching_its_database():
    bus = wspbus.Bus()
    SQLAlchemyPlugin(bus, "postgresql://nobody:secret@127.0.0.1:9/nowhere").subscribe()
    bus.start()
    assert bus.state == wspbus.states.STARTED
    bus.exit()


# endregion
