"""Shared by the incidents API test modules: a place well outside the duplicate radius."""

from tests.api_incidents_helpers import HERE, north_of

FAR = north_of(HERE, 5000)  # well outside the duplicate radius
