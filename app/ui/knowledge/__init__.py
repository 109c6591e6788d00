"""Knowledge base (知识库) screens."""
