-- One database per variant, created by the postgres image on its first start (it runs the files of
-- /docker-entrypoint-initdb.d/ only while the data volume is empty). All six are created up front,
-- so that adding a variant's service to docker-compose.yml needs no change here.
CREATE DATABASE tasktracker_django;
CREATE DATABASE tasktracker_flask;
CREATE DATABASE tasktracker_bottle;
CREATE DATABASE tasktracker_cherrypy;
CREATE DATABASE tasktracker_turbogears;
CREATE DATABASE tasktracker_web2py;
