"""``python -m thermidor``: the command line, as the ``thermidor`` script."""

from thermidor.cli.app import main

if __name__ == "__main__":
    main()
