-- Work that takes as long as the heavy var asks (rows squared), for tests that stop a build mid-way.
select sum(hash(a.range + b.range)) as h
from range({{ var('heavy', 1) }}) a, range({{ var('heavy', 1) }}) b
