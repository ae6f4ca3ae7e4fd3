"""Microsoft: identity platform OAuth and Graph calendar events carrying Teams meetings."""
