"""Reads over behavioural data. Import the function you need from its module."""
