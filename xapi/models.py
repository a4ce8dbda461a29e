"""The xAPI store's tables; access patterns in docs/data-model.md."""
