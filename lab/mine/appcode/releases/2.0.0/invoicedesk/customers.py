"""Customer names and addresses."""


def split_name(full):
    first, last = full.split(" ", 1)
    return first, last
