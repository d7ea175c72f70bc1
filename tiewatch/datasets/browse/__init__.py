"""The datasets as the site shows them: /datasets/ and /datasets/NAME/ (metadata from each folder's
dataset.yaml, counts from the registry), and the summaries of each dataset's ties on entity pages
(registered with the registry at start-up, see `register_summaries`)."""
