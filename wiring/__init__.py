"""Project wiring: the only modules that know every app.

The core (`leerkracht/`) imports no app, and each app imports only the ones below it
(leerkracht ← schools ← instruments ← barometer; academy beside them, reading only roles; see
leerkracht/tests/test_layers.py). What has to name them all lives here and is named by the
settings: the root URLconf (ROOT_URLCONF = "wiring.urls") and the navigation every page shows
(TEMPLATES' context processor "wiring.context_processors.navigation"). Nothing imports from here.
"""
