"""``python -m ecoute``: the ``ecoute`` command, for a checkout without the console script."""

from ecoute.cli import main

main()
