"""Everything Qt lives below this package."""
