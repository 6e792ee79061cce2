"""The Streamlit layer: everything that draws or keeps session state (ui, the shared query cache, components,
sign-in, cache warming, present mode, the Upload page's sections). It imports the core (the rest of `score`);
the core never imports it or Streamlit (import-linter contracts in pyproject.toml, run by `make lint`)."""
