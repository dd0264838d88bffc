"""Reads from the system of record. Import the function you need from its module."""
