"""`python -m concordat.cli`: the same command line as the installed `concordat` script, for
environments (and tests) that have the interpreter but not the script on PATH."""

from concordat.cli import main

if __name__ == "__main__":
    main()
