"""The command line and the wiring: the only place that knows every part of Écoute."""
