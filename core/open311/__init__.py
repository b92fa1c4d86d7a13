"""Open311 GeoReport v2 at ``/open311/v2/``: other systems (a city's 12345
hotline, a map app) read a station's incident categories as services and
post and follow incident reports. One module per job:

- :mod:`.views`: the routes;
- :mod:`.documents`: the spec's documents as plain dicts and lists;
- :mod:`.render`: those documents as JSON or XML;
- :mod:`.params`: reading and checking the query and form parameters;
- :mod:`.posting`: a POSTed request turned into an incident report;
- :mod:`.media`: signed links to a request's photos;
- :mod:`.paths`: the WSGI middleware that forgives doubled slashes;

``redarmband open311 keys`` is in :mod:`core.cli.open311`.
"""

from .paths import Open311Paths
from .views import bp

__all__ = ["Open311Paths", "bp"]
