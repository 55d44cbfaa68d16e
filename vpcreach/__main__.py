"""`python -m vpcreach`: the same command as the `vpcreach` console script."""

from .cli import entry

if __name__ == "__main__":
    entry()
