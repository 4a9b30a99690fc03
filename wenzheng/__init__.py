"""wenzheng (问政): the command line, configuration and wiring of the parts."""
