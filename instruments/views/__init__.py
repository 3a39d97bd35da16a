"""Views of the instruments, one module per instrument; each instrument's routes in
`instruments/urls/<instrument>.py` import its module."""
