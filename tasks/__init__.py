"""What Stash calls: the hook and the tasks of Settings > Tasks. Nothing heavy here: the hook
imports this package."""
