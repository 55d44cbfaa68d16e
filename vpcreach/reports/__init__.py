"""Renderers of one scan's results. Every format renders the same data (`reports.data.to_dict`)."""
