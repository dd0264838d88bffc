"""Plain functions that build the objects several test modules need. They assert nothing and are no fixtures; a test
module imports them from here, never from another test module."""
