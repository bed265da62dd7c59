select s.shipment_id, s.order_id, s.country, c.name as country_name, c.eu, s.shipped_on
from {{ source('files', 'shipments') }} as s
left join {{ ref('country_codes') }} as c on c.code = s.country
