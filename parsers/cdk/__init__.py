"""AWS CDK apps: a synthesized cloud assembly (`cdk.out`) read as one network of all its stacks (assembly.py),
and the notes for an app that has not been synthesized (apps.py, light enough for a directory walk)."""
