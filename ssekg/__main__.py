"""Run the command line as ``python -m ssekg``."""

from ssekg.cli import main

main()
