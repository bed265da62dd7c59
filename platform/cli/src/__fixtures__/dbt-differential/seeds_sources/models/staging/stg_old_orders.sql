select * from {{ source('files', 'no_such_file') }}
