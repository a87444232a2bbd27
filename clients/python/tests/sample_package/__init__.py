"""A package whose module imports relatively: the slicer's subject."""
