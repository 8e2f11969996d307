"""``python -m ringside``: the same command line as the ``ringside`` script."""

from ringside.cli import main

if __name__ == "__main__":
    main()
