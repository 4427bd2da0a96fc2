"""Written notices each process sends, rendered as pure `domain.notices.Document`s."""
