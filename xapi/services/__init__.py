"""The xAPI store's rules: what a statement or document may be, how it is stored and found."""
