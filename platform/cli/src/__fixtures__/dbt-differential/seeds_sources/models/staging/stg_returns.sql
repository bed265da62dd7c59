select order_id, reason from {{ source('files', 'returns') }}
