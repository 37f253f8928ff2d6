"""`python -m cscmonitor`: the same command as the `cscmonitor` script."""

from cscmonitor.cli import main

main()
