select
    cast(offer_id as integer) as offer_id,
    cast(supplier_id as integer) as supplier_id,
    cast(product_id as integer) as product_id,
    cast(unit_cost_cents as bigint) as unit_cost_cents,
    cast(min_quantity as integer) as min_quantity
from {{ source('purchasing', 'offers') }}
