"""The top-level stages' commands, one module each, registered in `cscmonitor.cli.COMMANDS`.

Packages with their own commands keep them beside their code (`records/cli.py`,
`reports/cli.py`, `benchmarks/cli.py`, `web/cli.py`); what every command shares is in
`cscmonitor.terminal`.
"""
