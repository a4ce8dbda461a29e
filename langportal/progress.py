"""Progress reporting for long work: a bar in a terminal, nothing elsewhere.

A `Progress` takes a description and a total and returns the function that
advances it, so services report progress without knowing who watches.
"""

from collections.abc import Callable

from tqdm import tqdm

Progress = Callable[[str, int], Callable[[int], None]]


def silent(description: str, total: int) -> Callable[[int], None]:
    return lambda amount: None


def bar(description: str, total: int) -> Callable[[int], None]:
    progress = tqdm(desc=description, total=total, unit="item", dynamic_ncols=True)

    def advance(amount: int) -> None:
        progress.update(amount)
        if progress.n >= progress.total:
            progress.close()

    if not total:
        progress.close()
    return advance
