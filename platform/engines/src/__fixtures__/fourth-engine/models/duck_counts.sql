select d.name, sum(s.seen) as seen
from {{ ref('ducks') }} d
join {{ source('field', 'sightings') }} s using (duck_id)
group by d.name
