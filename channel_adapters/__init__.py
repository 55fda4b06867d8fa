"""Channel adapters: ``base`` holds the contract; each other package renders one channel."""
