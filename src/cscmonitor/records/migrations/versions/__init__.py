"""One module per migration, named `NNNN_what.py` in order."""
