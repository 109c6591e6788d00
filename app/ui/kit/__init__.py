"""Building blocks of every record screen, with no business area in them (see README,
Layout): a paged sortable table model, a list page, a record dialog, a record chooser and
the change bus."""
