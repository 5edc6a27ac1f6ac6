"""Page numbers over lists whose exact length is not worth knowing: the stream's issues under a
filter, an issue's events. Counting every matching row costs as much as the rows (a count of a
three-million-event issue, an EXISTS per issue of a large project); this counts at most a
bound, says "N+" past it, and still serves the pages beyond (each page's rows say whether
there is another), as Sentry and GlitchTip do."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator


class BoundedPaginator(Paginator):
    """A Paginator whose count reads at most `bound` + 1 rows (one LIMITed subquery)."""

    def __init__(self, object_list, per_page, bound: int, **kwargs):
        """`bound`: the rows counted at most (a limits.* name at the caller)."""
        super().__init__(object_list, per_page, **kwargs)
        self.bound = bound

    @cached_property
    def counted(self) -> int:
        """Rows counted: the exact number up to the bound, bound + 1 past it. Unordered: an
        ORDER BY would make the database find and sort every row before the LIMIT."""
        return self.object_list.order_by()[:self.bound + 1].count()

    @property
    def more(self) -> bool:
        """Whether there are more rows than the bound (the count is then "at least")."""
        return self.counted > self.bound

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.bound)

    @property
    def count_text(self) -> str:
        return f"{self.count:,}+" if self.more else f"{self.count:,}"

    @property
    def pages_text(self) -> str:
        return f"{self.num_pages:,}+" if self.more else f"{self.num_pages:,}"

    def validate_number(self, number) -> int:
        """Past the bound any page number is served (its rows say whether another follows:
        BoundedPage.has_next)."""
        if not self.more:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number) -> BoundedPage:
        if not self.more:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)

    def _get_page(self, *args, **kwargs) -> BoundedPage:
        return BoundedPage(*args, **kwargs)


class BoundedPage(Page):
    def has_next(self) -> bool:
        paginator = self.paginator
        if paginator.more and self.number >= paginator.num_pages:
            return len(self.object_list) == paginator.per_page
        return super().has_next()

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0
