"""The policy as code: the model and its JSON Schema, the loader with line-numbered errors,
cross-references, and the rendering of the notice and the Art. 30 record."""
