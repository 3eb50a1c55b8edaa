"""``python -m cachelint`` runs the command line."""
from .cli import main

main()
