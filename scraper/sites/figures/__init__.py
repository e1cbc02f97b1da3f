"""The article's own pictures, with their captions and credits.

``collect`` walks the page for the article's figures and merges them with the cover the
structured data names; ``parts`` reads one figure (its picture, caption and credit);
``urls`` says which address a picture stands for; ``credits`` reads credit labels and
credits in captions; ``class_hints`` tests class and id names.
"""
