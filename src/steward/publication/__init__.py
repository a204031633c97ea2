"""Published policy versions: each distinct policy the server runs is kept, with the notice as
it was shown, so earlier versions stay viewable and changes (new purposes above all) are
listed against the previous version."""
