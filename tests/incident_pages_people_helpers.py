"""Shared by the incident page test modules: the phones the volunteers and the officer sign in with."""

VOLUNTEER = "13800000001"
OTHER_VOLUNTEER = "13800000002"
OFFICER = "13700000001"
