"""Pure chart arithmetic and SVG drawing, shared by the stories' blocks and the DataStore's chart view.

Nothing here imports CKAN: ``aggregate`` turns rows into groups and figures, ``svg`` draws them.
"""
