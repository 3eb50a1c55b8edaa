"""``python -m cachelint`` runs the command line."""
from .cli import main

if __name__ == "__main__":  # worker processes import this module too (forkserver); only the command runs it
    main()
