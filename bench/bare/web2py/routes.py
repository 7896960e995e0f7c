# The one application, at the root: GET / is bare/default/index.
default_application = "bare"
