"""The render layer: numbers and ids from the analysis, worded for a runner (`messages`)."""
