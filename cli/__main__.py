"""`python -m cli` runs diarium, for environments where the console script is not on PATH."""

from cli.main import main

main()
