"""Assessment instruments → one style profile per person; relationship and team insight from profiles."""
